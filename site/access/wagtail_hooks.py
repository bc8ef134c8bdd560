from django.http import Http404

from wagtail import hooks

from . import policy


# Last (order 100): Wagtail's own hook asks for a collection's password first. Our view
# (access.views.serve_document) serves documents; this hook also guards Wagtail's own view, should a
# URL ever reach it.
@hooks.register("before_serve_document", order=100)
def refuse_documents_nobody_may_see(document, request):
    if not policy.document_access(request, document):
        raise Http404
