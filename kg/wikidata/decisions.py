"""What the curator decides, applied to the rows of the mapping file (pure functions: rows in, rows out).

The tool proposes; only a person accepts. Accepting one item for an entity closes the entity's other open
proposals as rejected (an entity has one Wikidata item), and a rejected pair stays in the file so the linker
never proposes it again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from kg.wikidata.sssom import CURATOR, MANUAL, NO_TERM_FOUND, Mapping, replace_row, subject_curie
from kg.wikidata.vocab import qid_of


class ReviewError(ValueError):
    """A decision that cannot be recorded as asked (unknown key, malformed Q-id, a second accepted item)."""


def decided_pairs(mappings: Iterable[Mapping]) -> set[tuple[str, str]]:
    """Every (key, qid) already in the file, whatever its status: none of them is proposed again."""
    return {(m.key, m.qid) for m in mappings if m.qid}


def accepted_keys(mappings: Iterable[Mapping]) -> set[str]:
    return {m.key for m in mappings if m.review_status == "accepted" and m.qid}


def merge_proposals(mappings: list[Mapping],
                    proposals: Iterable[Mapping]) -> tuple[list[Mapping], list[Mapping]]:
    """Add the new proposals; return (all rows, the rows actually added).

    A proposal is dropped when its pair is already in the file (proposed, accepted or rejected) or when its
    entity already has an accepted link.
    """
    seen = decided_pairs(mappings)
    done = accepted_keys(mappings)
    added = []
    for proposal in proposals:
        pair = (proposal.key, proposal.qid)
        if proposal.qid is None or pair in seen or proposal.key in done:
            continue
        seen.add(pair)
        added.append(proposal)
    return mappings + added, added


def decide(mappings: list[Mapping], key: str, qid: str, decision: str, *, reviewer: str = CURATOR,
           when: date | None = None, comment: str = "", label: str = "") -> list[Mapping]:
    """Record ``accept`` or ``reject`` of ``qid`` for the entity ``key`` (``person/stalin``).

    Deciding on a pair the linker never proposed is allowed (a curator may know better); the row is created
    with the curator as author.
    """
    if decision not in ("accept", "reject"):
        raise ReviewError(f"decision must be accept or reject, not {decision!r}")
    qid = qid_of(qid) or ""
    if not qid:
        raise ReviewError(f"{key}: Q-id must look like Q855 (or wd:Q855)")
    if "/" not in key:
        raise ReviewError(f"{key!r}: give the entity as KIND/KEY, e.g. person/stalin")
    today = (when or date.today()).isoformat()
    status = "accepted" if decision == "accept" else "rejected"
    if status == "accepted":
        clash = [m for m in mappings
                 if m.key == key and m.review_status == "accepted" and m.qid and m.qid != qid]
        if clash:
            raise ReviewError(f"{key} already has an accepted link to wd:{clash[0].qid}; reject it first "
                              f"(kg link review --reject {key} {clash[0].qid})")
    note = f"{status} by {reviewer} on {today}" + (f": {comment}" if comment else "")
    result: list[Mapping] = []
    found = False
    for m in mappings:
        if m.key == key and m.qid == qid:
            found = True
            result.append(_decided(m, status, reviewer, today, note))
        elif status == "accepted" and m.key == key and m.review_status == "proposed" and m.qid:
            result.append(_decided(m, "rejected", reviewer, today,
                                   f"rejected by {reviewer} on {today}: superseded, wd:{qid} accepted"))
        else:
            result.append(m)
    if not found:
        row = Mapping(subject_id=subject_curie(key), object_id=f"wd:{qid}", subject_label=label,
                      author_id=reviewer)
        result.append(_decided(row, status, reviewer, today, note))
    if status == "accepted":  # a 'no term found' note is obsolete once an item is accepted
        result = [m for m in result if not (m.key == key and m.object_id == NO_TERM_FOUND)]
    return result


def _decided(m: Mapping, status: str, reviewer: str, today: str, note: str) -> Mapping:
    comment = f"{m.comment} | {note}" if m.comment else note
    return replace_row(m, review_status=status, predicate_modifier="Not" if status == "rejected" else "",
                       mapping_justification=MANUAL,
                       author_id=reviewer if status == "accepted" else m.author_id,
                       reviewer_id=reviewer, mapping_date=today, comment=comment)
