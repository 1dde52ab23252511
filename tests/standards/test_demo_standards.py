"""The demo district carries community books, surveys and two years of
assessments, and every demo account meets the standards pages as its role should."""
from gongzhi.accounts.models import User
from gongzhi.core import demo
from gongzhi.ledgers.models import Meeting, Volunteer, Worker
from gongzhi.places.models import Place
from gongzhi.standards.models import AssessmentRun, CommunityScore, SurveyResponse

def test_demo_books_and_assessments(client, db):
    demo.build_demo(scale=0.02)
    assert Worker.objects.exists() and Meeting.objects.exists() and Volunteer.objects.exists()
    assert SurveyResponse.objects.exists()
    runs = AssessmentRun.objects.filter(status="done")
    assert {r.pack_id for r in runs} == {"yixing-2019", "wuhan-2011"} and len({r.period for r in runs}) == 2
    assert runs.filter(published_at__isnull=False).count() == 1
    assert client.get("/standards/public/").status_code == 200  # anyone, before logging in
    grades = set(CommunityScore.objects.values_list("grade", flat=True))
    assert len(grades) >= 2  # not everybody passes, not everybody fails
    latest = runs.filter(pack_id="yixing-2019").order_by("-period").first()
    for username, role, code, _name, _dept in demo._ACCOUNTS:
        client.force_login(User.objects.get(username=username))
        pages = ["/standards/assessments/", f"/standards/assessments/{latest.pk}/",
                 f"/standards/assessments/{latest.pk}/matrix/", "/standards/surveys/"]
        for url in pages:
            status = client.get(url).status_code
            if role in ("resident", "provider") or username in ("department", "auditor", "security"):
                assert status == 403, (username, url, status)
            else:
                assert status == 200, (username, url, status)
        if role == "community":
            community = Place.objects.get(code=code)
            card = client.get(f"/standards/assessments/{latest.pk}/communities/{community.code}/")
            assert card.status_code == 200 and community.name in card.content.decode()
            assert client.get(f"/ledgers/{community.code}/?tab=meetings").status_code == 200


def test_demo_worker_reviews_of_last_year(client, db):
    """The demo street's workers have last year's reviews, some final and some drafts, and the pages show them."""
    import datetime as dt

    from gongzhi.standards.models import WorkerReview
    demo.build_demo(scale=0.02)
    year = dt.date.today().year - 1
    reviews = WorkerReview.objects.filter(year=year)
    assert reviews.filter(state="final").exists() and reviews.filter(state="draft").exists()
    officer = reviews.first().reviewed_by
    client.force_login(officer)
    page = client.get(f"/standards/workers/?year={year}")
    assert page.status_code == 200 and "已定稿" in page.content.decode()
    final = reviews.filter(state="final").first()
    client.force_login(final.worker)
    page = client.get("/standards/workers/mine/")
    assert page.status_code == 200 and str(final.street_score) in page.content.decode()
