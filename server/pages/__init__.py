"""Helpers behind the resource pages: IRIs, bound queries, documents, one module per kind of page."""
