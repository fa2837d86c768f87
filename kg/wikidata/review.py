"""The curator's side: show open proposals with their evidence and record accept / reject / skip.

Every decision is written to the mapping file at once (atomically), so quitting or an interrupted session
loses nothing already decided and never leaves a half-written file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from kg.wikidata.decisions import decide
from kg.wikidata.sssom import CURATOR, Mapping, read_mappings, write_mappings

Prompt = Callable[[str], str]
Echo = Callable[[str], None]


def open_proposals(mappings: list[Mapping]) -> list[Mapping]:
    """Proposals awaiting a decision, entity by entity, best candidate first."""
    return sorted((m for m in mappings if m.is_open),
                  key=lambda m: (m.subject_id, -float(m.confidence or 0), int(m.qid[1:])))


def describe(m: Mapping) -> str:
    """The proposal as the curator sees it: who, which item, how sure, and why."""
    lines = [f"{m.subject_label or m.key}  ({m.key})",
             f"  candidate  wd:{m.qid}  {m.object_label}  https://www.wikidata.org/wiki/{m.qid}",
             f"  confidence {m.confidence or '?'}  ({m.mapping_justification}, proposed {m.mapping_date})"]
    for part in filter(None, (p.strip() for p in m.comment.replace(" | ", "; ").split("; "))):
        lines.append(f"  - {part}")
    return "\n".join(lines)


def review_interactively(mapping_path: Path, prompt: Prompt, echo: Echo, *, reviewer: str = CURATOR,
                         today: date | None = None) -> dict[str, int]:
    """Walk the open proposals; ``prompt`` returns a, r, s or q. Returns counts of each decision."""
    counts = {"accepted": 0, "rejected": 0, "skipped": 0}
    mappings = read_mappings(mapping_path)
    queue = open_proposals(mappings)
    if not queue:
        echo("No open proposals. Run `kg link wikidata` to look for candidates.")
        return counts
    echo(f"{len(queue)} open proposal(s). a = accept, r = reject, s = skip, q = quit.")
    for index, proposal in enumerate(queue, start=1):
        current = {(m.key, m.qid): m for m in mappings}.get((proposal.key, proposal.qid))
        if current is None or not current.is_open:  # closed by an earlier accept of the same entity
            continue
        echo(f"\n[{index}/{len(queue)}] " + describe(current))
        answer = ""
        while answer not in ("a", "r", "s", "q"):
            answer = (prompt("accept / reject / skip / quit [a/r/s/q]") or "").strip().lower()[:1]
        if answer == "q":
            break
        if answer == "s":
            counts["skipped"] += 1
            continue
        decision = "accept" if answer == "a" else "reject"
        mappings = decide(mappings, proposal.key, proposal.qid, decision, reviewer=reviewer, when=today)
        write_mappings(mapping_path, mappings)
        counts["accepted" if decision == "accept" else "rejected"] += 1
        echo(f"  {'accepted' if decision == 'accept' else 'rejected'} wd:{proposal.qid} for {proposal.key}")
    return counts


def record_decision(mapping_path: Path, key: str, qid: str, decision: str, *, reviewer: str = CURATOR,
                    comment: str = "", today: date | None = None) -> Mapping:
    """Non-interactive accept/reject (for scripts); returns the row as recorded."""
    mappings = decide(read_mappings(mapping_path), key, qid, decision, reviewer=reviewer, when=today,
                      comment=comment)
    write_mappings(mapping_path, mappings)
    wanted = qid.rsplit(":", 1)[-1]
    return next(m for m in mappings if m.key == key and m.qid == wanted)
