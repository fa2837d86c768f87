"""A polite SPARQL client: it names itself, waits when asked, and gives up with a message a person can act on.

Public endpoints (Wikidata's above all) throttle with ``429 Too Many Requests`` or ``503`` and often say how
long to wait in ``Retry-After``; they also time out on slow queries. We retry those with exponential back-off,
honour ``Retry-After`` when given, and after the last attempt raise :class:`EndpointError` naming the
endpoint, what it answered and what to try. Other failures (a malformed query, a 404) are not retried: waiting
would not change the answer.
"""

from __future__ import annotations

import email.utils
import http.client
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kg.wikidata.vocab import DEFAULT_ENDPOINT, USER_AGENT

RETRYABLE_STATUS = {429, 502, 503, 504}


class EndpointError(Exception):
    """The endpoint could not answer; the message says which endpoint, what happened and what to do."""


@dataclass
class SparqlClient:
    """SELECT queries over HTTP POST (batched queries are long), JSON results, retries with back-off.

    ``sleep`` is a parameter so a caller can bound or record waiting; it defaults to :func:`time.sleep`.
    ``max_wait`` caps any single wait, including one an endpoint asks for in ``Retry-After``.
    """

    endpoint: str = DEFAULT_ENDPOINT
    timeout: float = 60.0
    retries: int = 4
    backoff: float = 1.0
    max_wait: float = 120.0
    user_agent: str = USER_AGENT
    sleep: Callable[[float], None] = time.sleep
    requests_sent: int = 0
    waits: list[float] = field(default_factory=list)

    def select(self, query: str) -> list[dict[str, dict[str, str]]]:
        """Run a SELECT query; return its bindings (SPARQL 1.1 JSON results, ``results.bindings``)."""
        failures: list[str] = []
        for attempt in range(self.retries + 1):
            try:
                self.requests_sent += 1
                result = self._wrapper(query).queryAndConvert()
                return list(result["results"]["bindings"])  # type: ignore[index]
            except urllib.error.HTTPError as exc:
                if exc.code not in RETRYABLE_STATUS:
                    raise EndpointError(f"{self.endpoint} answered HTTP {exc.code} {exc.reason}; the query "
                                        "was not retried (waiting would not change the answer).") from exc
                failures.append(f"HTTP {exc.code}")
                wait = self._retry_after(exc.headers.get("Retry-After") if exc.headers else None, attempt)
            except TimeoutError:
                failures.append(f"no answer within {self.timeout:g} s")
                wait = self._backoff(attempt)
            except (http.client.RemoteDisconnected, ConnectionResetError):
                failures.append("connection dropped without an answer")
                wait = self._backoff(attempt)
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, TimeoutError):
                    failures.append(f"no answer within {self.timeout:g} s")
                    wait = self._backoff(attempt)
                else:
                    raise EndpointError(f"cannot reach {self.endpoint}: {exc.reason}. Check the URL "
                                        "(--endpoint) and the network.") from exc
            except SPARQLWrapperException as exc:
                raise EndpointError(f"{self.endpoint} rejected the query: {exc}") from exc
            except ValueError as exc:  # a body that is not SPARQL JSON results
                message = f"{self.endpoint} did not answer with SPARQL JSON results: {exc}"
                raise EndpointError(message) from exc
            if attempt == self.retries:
                break
            self.waits.append(wait)
            self.sleep(wait)
        waited = ", ".join(f"{w:g} s" for w in self.waits[-self.retries:]) or "no wait"
        raise EndpointError(
            f"{self.endpoint} did not answer after {len(failures)} attempt(s) ({'; '.join(failures)}; waited "
            f"{waited}). The endpoint is busy or down: try again later, or lower --batch-size. Answers "
            "already received are kept in the cache, and the decision file was not changed.")

    def _wrapper(self, query: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.endpoint, agent=self.user_agent)
        wrapper.setMethod(POST)
        wrapper.setReturnFormat(JSON)
        wrapper.timeout = self.timeout  # setTimeout() truncates to whole seconds: 0.5 would mean "none"
        wrapper.setQuery(query)
        return wrapper

    def _backoff(self, attempt: int) -> float:
        return min(self.max_wait, self.backoff * (2 ** attempt))

    def _retry_after(self, header: str | None, attempt: int) -> float:
        """Seconds to wait: the ``Retry-After`` the endpoint sent (seconds or HTTP date), else back-off."""
        if header:
            header = header.strip()
            if header.isdigit():
                return min(self.max_wait, float(header))
            try:
                when = email.utils.parsedate_to_datetime(header)
            except (TypeError, ValueError):
                when = None
            if when is not None:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                return min(self.max_wait, max(0.0, (when - datetime.now(UTC)).total_seconds()))
        return self._backoff(attempt)


def term_value(binding: dict[str, Any], name: str) -> str | None:
    """The lexical value of variable ``name`` in a JSON result row, or None when unbound."""
    cell = binding.get(name)
    return cell["value"] if cell else None
