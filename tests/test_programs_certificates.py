"""Certificates of completion (结业证书): the PDF for its owner and the center, and the public verification
page, which shows the certificate's few facts and nothing more (docs/programs-attendance.md)."""

import shutil
import subprocess

import pytest

from django.core.cache import cache

from programs import certificates
from programs.completion import evaluate
from programs.models import Attendance, Certificate, Enrolment

from . import factories


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()  # the look-up and download counters
    yield
    cache.clear()


@pytest.fixture
def program(centers):
    a, _b = centers
    program = factories.ProgramPageFactory(
        parent=a.section,
        center=a,
        title="2026年辅导员心理健康教育示范培训班",
        hours="24.0",
        capabilities=["mental_health"],
    )
    factories.ProgramSessionFactory(program=program)
    return program


@pytest.fixture
def graduate(program):
    enrolment = factories.EnrolmentFactory(
        program=program,
        status=Enrolment.APPROVED,
        name="李明华",
        school="清华大学",
        phone="13800138000",
        email="liminghua@example.edu.cn",
    )
    Attendance.objects.create(session=program.sessions.get(), enrolment=enrolment)
    assert evaluate(enrolment)
    return enrolment


@pytest.fixture
def certificate(graduate):
    return Certificate.objects.get(enrolment=graduate)


def text(response):
    return response.content.decode()


def test_codes_are_long_unambiguous_and_read_back_as_typed():
    codes = {certificates.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 14 and code[4] == code[9] == "-"
        assert not set(code.replace("-", "")) & set("01OI")
    code = next(iter(codes))
    assert certificates.normalise(code.lower().replace("-", " ")) == code
    assert certificates.normalise(code.replace("-", "")) == code
    assert certificates.normalise("ABCD-EFGH-JKL") is None  # too short
    assert certificates.normalise("ABCD-EFGH-JKL0") is None  # 0 is not in the alphabet
    assert certificates.normalise("x" * 1000) is None


def test_the_certificate_snapshots_what_it_certifies(certificate, program, centers):
    assert certificate.name == "李明华"
    assert certificate.program_title == program.title
    assert certificate.center_name == centers[0].name
    assert str(certificate.hours) == "24.0"
    assert certificate.revoked_at is None


def test_the_public_page_verifies_a_code_and_shows_nothing_more(client, certificate, program, centers):
    response = client.get(f"/programs/certificates/{certificate.code}/")
    assert response.status_code == 200
    page = text(response)
    result = page.split('data-testid="certificate-result"')[1].split("</div>")[0]
    assert "证书有效" in result
    for shown in ("李明华", program.title, "24 学时", centers[0].name, certificate.issued_on.strftime("%Y年")):
        assert shown in result
    for hidden in ("清华大学", "13800138000", "liminghua", "@"):
        assert hidden not in page
    assert response["X-Robots-Tag"] == "noindex"


def test_the_verify_form_works_without_javascript(client, certificate):
    page = text(client.get("/programs/certificates/verify/"))
    assert '<form method="get"' in page and 'name="code"' in page
    typed = certificate.code.lower().replace("-", "")
    response = client.get("/programs/certificates/verify/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/programs/certificates/{certificate.code}/"
    response = client.get("/programs/certificates/verify/", {"code": "12345"})
    assert response.status_code == 400
    assert "验证码应为 12 位字母和数字" in text(response)


def test_unknown_and_revoked_codes_are_refused_in_chinese(client, certificate):
    unknown = "ABCD-EFGH-JKMN" if certificate.code != "ABCD-EFGH-JKMN" else "ABCD-EFGH-JKMP"
    response = client.get(f"/programs/certificates/{unknown}/")
    assert response.status_code == 404
    assert "未找到该验证码对应的证书" in text(response)
    assert client.get("/programs/certificates/not-a-code/").status_code == 404
    Certificate.objects.filter(pk=certificate.pk).update(revoked_at=certificate.issued_at)
    response = client.get(f"/programs/certificates/{certificate.code}/")
    assert response.status_code == 410
    assert "该证书已被撤销" in text(response) and "李明华" not in text(response)


def test_look_ups_are_bounded_per_client_address(client, settings, certificate):
    settings.PROGRAMS_VERIFY_PER_HOUR = 3
    statuses = [client.get(f"/programs/certificates/ABCD-EFGH-JKM{c}/").status_code for c in "NPQ"]
    assert statuses == [404, 404, 404]
    response = client.get(f"/programs/certificates/{certificate.code}/")
    assert response.status_code == 429
    assert "查询过于频繁" in text(response) and "李明华" not in text(response)
    # Another address has its own allowance.
    assert client.get(f"/programs/certificates/{certificate.code}/", REMOTE_ADDR="10.9.8.7").status_code == 200


def test_the_pdf_is_served_to_its_owner_and_the_centers_staff_only(client, people, certificate, graduate):
    pdf_url = f"/programs/certificates/{certificate.pk}/pdf/"
    response = client.get(pdf_url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    client.force_login(graduate.user)
    response = client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"

    someone = factories.CounselorFactory()
    client.force_login(someone)
    assert client.get(pdf_url).status_code == 404
    client.force_login(people["editor_b"])
    assert client.get(pdf_url).status_code == 404
    client.force_login(people["reviewer_a"])
    assert client.get(pdf_url).status_code == 200


def test_the_pdf_carries_the_name_code_and_verification_address(client, settings, certificate, graduate, program):
    client.force_login(graduate.user)
    pdf = client.get(f"/programs/certificates/{certificate.pk}/pdf/").content
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (Debian's poppler-utils) is missing: the PDF's text was not checked")
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    flat = "".join(out.split())
    assert "结业证书" in flat and "李明华" in flat and certificate.code in flat
    assert "24学时" in flat
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    assert f"{base}/programs/certificates/{certificate.code}/" in flat


def test_a_revoked_certificate_is_not_downloaded_and_staff_revoke_in_their_center_only(
    client, people, certificate, graduate, program
):
    grid = f"/admin/programs/attendance/{program.pk}/"
    client.force_login(people["editor_b"])
    assert client.post(grid, {"revoke": certificate.pk}).status_code == 404
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    client.force_login(people["editor_a"])
    assert client.post(grid, {"revoke": certificate.pk}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    client.force_login(graduate.user)
    response = client.get(f"/programs/certificates/{certificate.pk}/pdf/")
    assert response.status_code == 410 and "已被撤销" in text(response)
    # The hours stay credited.
    assert graduate.user.learning_credits.filter(kind="program").count() == 1


def test_pdf_downloads_are_bounded_per_user(client, certificate, graduate):
    client.force_login(graduate.user)
    statuses = [client.get(f"/programs/certificates/{certificate.pk}/pdf/").status_code for _ in range(7)]
    assert statuses == [200] * 6 + [429]


def test_the_counselors_data_copy_holds_their_check_ins_and_certificate(client, certificate, graduate, program):
    client.force_login(graduate.user)
    with_one = client.get("/accounts/data/")
    assert with_one.status_code == 200
    (row,) = with_one.json()["programs.exports_enrolment.personal_data"]["enrolments"]
    session = program.sessions.get()
    assert [mark["session"] for mark in row["attendance"]] == [session.topic]
    assert row["attendance"][0]["method"] == "扫码签到"
    assert row["certificate"]["code"] == certificate.code and row["certificate"]["hours"] == "24.0"
    assert row["certificate"]["revoked"] is None
    other = factories.EnrolmentFactory(program=program, status=Enrolment.APPROVED)
    client.force_login(other.user)
    (mine,) = client.get("/accounts/data/").json()["programs.exports_enrolment.personal_data"]["enrolments"]
    assert mine["attendance"] == [] and mine["certificate"] is None  # nobody else's marks or certificate
