"""The video pipeline: lecture videos uploaded through wagtailmedia, transcoded off the request path
into an HLS ladder with a poster, by workers of the django-tasks backends."""
