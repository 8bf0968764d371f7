"""Every list is paged by cursor, newest first: pages never repeat or skip rows, even while rows are
added; `page_size` is honoured up to its maximum; lists computed in Python are paged by position."""

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apps.core.models import Job
from apps.core.pagination import IdCursorPagination

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/jobs/"


def test_cursor_pages_walk_every_row_once_newest_first_while_rows_are_added(api_as, curator):
    jobs = Job.objects.bulk_create(Job(kind="recount", requested_by=curator) for _ in range(120))
    client = api_as(curator)
    first = client.get(JOBS).json()
    assert set(first) == {"next", "previous", "results"}  # no count: no COUNT(*) per page
    assert len(first["results"]) == 50 and first["previous"] is None
    Job.objects.create(kind="recount", requested_by=curator)  # arrives while the client pages
    seen = [j["id"] for j in first["results"]]
    url = first["next"]
    while url:
        page = client.get(url).json()
        seen += [j["id"] for j in page["results"]]
        url = page["next"]
    assert seen == sorted((j.pk for j in jobs), reverse=True)


def test_page_size_is_honoured_up_to_500(api_as, curator):
    Job.objects.bulk_create(Job(kind="recount", requested_by=curator) for _ in range(520))
    client = api_as(curator)
    assert len(client.get(JOBS, {"page_size": 7}).json()["results"]) == 7
    assert len(client.get(JOBS, {"page_size": 5000}).json()["results"]) == 500
    assert len(client.get(JOBS, {"page_size": "many"}).json()["results"]) == 50


def test_a_bad_cursor_is_a_clear_400(api_as, curator):
    response = api_as(curator).get(JOBS, {"cursor": "not-a-cursor"})
    assert response.status_code == 400 and "next" in response.json()["errors"]["cursor"][0]


def test_a_list_computed_in_python_keeps_its_order_and_pages_by_position():
    items = [f"entry {n}" for n in range(120)]
    pages, url = [], "/api/v1/queue/?page_size=50"
    while url:
        paginator = IdCursorPagination()
        request = Request(APIRequestFactory().get(url))
        pages.append(paginator.paginate_queryset(items, request))
        response = paginator.get_paginated_response(pages[-1])
        url = response.data["next"]
    assert [len(p) for p in pages] == [50, 50, 20]
    assert sum(pages, []) == items
    assert response.data["previous"] is not None
