"""Standards' share of the scope matrix (see tests/scope_cases/__init__.py for the format).

The community-worker yearly review (P-EVAL-3): community B's worker has a draft review by street B
(its comment names 王五, so a page that leaked it would show him). Nobody outside street B reads street
B's table or its Excel, or writes B's review; the worker's own page shows only the caller's own results."""

ENDPOINTS = {
    "standards:workers": ("GET", lambda w: f"/standards/workers/?street={w.street_b.code}&year={w.review_b.year}"),
    "standards:workers_xlsx": ("GET", lambda w: f"/standards/workers/export.xlsx?street={w.street_b.code}"
                                                f"&year={w.review_b.year}"),
    "standards:worker_review": ("POST", lambda w: f"/standards/workers/{w.community_worker_b.pk}/{w.comm_b.code}/"
                                                  f"?year={w.review_b.year}"),
    # a case book typeset on the queue for the district's organiser (build_book_job below): only its owner
    # sees the job or takes the file (tests/standards/test_case_book_job.py: another organiser gets 404)
    "standards:case_book_job": ("GET", lambda w: f"/standards/cases/book/{w.book_job_b.pk}/"),
    "standards:case_book_download": ("GET", lambda w: f"/standards/cases/book/{w.book_job_b.pk}/download/"),
}
LISTS = {
    # the worker's own final results (tests/standards/test_worker_review.py::test_the_worker_sees_only_their_own…)
    "standards:my_reviews": "/standards/workers/mine/",
}
BODY = {"street_score": "1", "comment": "篡改", "pack": "-"}


def build(w):
    from django.utils import timezone

    from gongzhi.standards import worker_review
    from tests.factories import user
    officer_b = user("review_street_b", "street", w.street_b)
    year = timezone.localdate().year - 1
    w.review_b = worker_review.review_save(year=year, worker=w.community_worker_b, place=w.comm_b, street_score="66",
                                           comment="王五反映的问题处理及时", version=0, by=officer_b)
    final = worker_review.review_save(year=year - 1, worker=w.community_worker_b, place=w.comm_b,
                                      street_score="71", comment="王五所在楼栋走访到位", version=0, by=officer_b)
    worker_review.review_finalise(review_id=final.pk, version=final.version, weights=worker_review.weights_for(None),
                                  by=officer_b)
    build_book_job(w)


def build_book_job(w):
    """A district call with community B's case (王五's story) selected, its book typeset on the queue for
    the organiser (w.admin): done, its file waiting for its owner (the queued task goes with the rollback)."""
    import datetime as dt

    from gongzhi.core.scope import Scope
    from gongzhi.standards import case_book, cases
    from gongzhi.standards.manifest import ORGANISE_CASES
    from gongzhi.standards.models import CaseState, CaseSubmission
    from gongzhi.standards.tasks import start_book_job
    from tests.factories import user
    officer_b = user("book_street_b", "street", w.street_b)
    call = cases.call_create(place=w.district, title="案例汇编征集", deadline=dt.date.today(), topics=[], by=w.admin)
    case = cases.case_submit(call=call, scope=Scope.for_user(officer_b), place=w.comm_b, title="王五调解经验",
                             topic="", text="王五的故事", by=officer_b)
    CaseSubmission.objects.filter(pk=case.pk).update(state=CaseState.SELECTED)
    book = cases.book_cases(call=call, scope=Scope.for_user_capability(w.admin, ORGANISE_CASES))
    w.book_job_b = start_book_job(user=w.admin, call=call, cases=book)
    assert case_book.run_book_job(w.book_job_b)


def snapshot():
    from gongzhi.standards.models import WorkerReview
    return list(WorkerReview.objects.order_by("pk").values_list("pk", "state", "version", "street_score",
                                                                 "street_comment"))
