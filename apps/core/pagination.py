"""Cursor pagination for every list endpoint (the REST_FRAMEWORK default).

Newest first by `id`: every model has it, it is unique and indexed, so a page is one index range scan
however deep the client reads, and rows created while a client pages never shift or repeat items
(page numbers do both, and need a COUNT(*) per page). Answers carry `next` and `previous` links (opaque
cursors) and `results`; no total count (ask the exports for whole tables). `page_size` (default 50)
goes up to 500.

A list computed in Python (not a queryset, e.g. a work queue) keeps its own order and is paged by
position, with the same kind of opaque cursor.
"""

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination


class IdCursorPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def decode_cursor(self, request):
        """The request's cursor; a cursor this API did not hand out is a 400 (DRF answers 404)."""
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {self.cursor_query_param: ["Invalid cursor: use the `next` or `previous` link of a page."]}
            ) from None

    def paginate_queryset(self, queryset, request, view=None):
        self._list_links = None
        if hasattr(queryset, "order_by"):
            return super().paginate_queryset(queryset, request, view)
        return self._paginate_list(list(queryset), request)

    def _paginate_list(self, items: list, request) -> list:
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        cursor = self.decode_cursor(request)
        start = int(cursor.position) if cursor and str(cursor.position).isdigit() else 0
        self.page = items[start : start + self.page_size]
        after, before = start + self.page_size, max(0, start - self.page_size)
        self._list_links = (
            self.encode_cursor(Cursor(offset=0, reverse=False, position=str(after)))
            if after < len(items)
            else None,
            self.encode_cursor(Cursor(offset=0, reverse=False, position=str(before))) if start > 0 else None,
        )
        return self.page

    def get_next_link(self):
        return self._list_links[0] if self._list_links is not None else super().get_next_link()

    def get_previous_link(self):
        return self._list_links[1] if self._list_links is not None else super().get_previous_link()
