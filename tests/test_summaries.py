"""Function summaries: what a function does to the lists it is handed and what it returns."""

from __future__ import annotations

import ast
import pickle
import textwrap

from ctxlint.python.index import build_index
from ctxlint.python.summaries import Summary, module_summaries, summary_of

_SOURCE = textwrap.dedent(
    """
    def recent(msgs, k=20):
        return msgs[-k:]

    def trim(msgs):
        return recent(msgs)

    def stub_old(msgs):
        n = len(msgs)
        return [{**m, "content": "-"} if i < n - 3 else m for i, m in enumerate(msgs)]

    def shorten_old(messages):
        for m in messages[1:-4]:
            m["content"] = m["content"][:200]

    def compact(messages):
        shorten_old(messages)

    def newest_only(messages):
        messages[-1]["content"] = "x"

    def loop_forever(msgs):
        return loop_forever(msgs)

    def with_system(msgs, system):
        return [system, *msgs]

    class Store:
        def history(self):
            return self._messages[-self.limit:]
    """
)


def _summaries() -> dict[str, Summary]:
    index = build_index(ast.parse(_SOURCE))
    by_id = module_summaries(index)
    return {f.name: by_id[id(f)] for f in index.functions if id(f) in by_id}


def test_returned_rewrites_and_their_chain():
    found = _summaries()
    assert [(r.parameter, r.kind, r.through) for r in found["recent"].returns] == [
        ("msgs", "window", ())
    ]
    # Known through the helper it calls, with the span of the window in that helper.
    (through_trim,) = found["trim"].returns
    assert (through_trim.kind, through_trim.through) == ("window", ("recent",))
    assert through_trim.span == found["recent"].returns[0].span
    assert found["stub_old"].returns[0].kind == "stub"
    assert found["with_system"].returns[0].kind == "prepend"
    assert found["history"].returns[0].parameter == "self._messages"


def test_edits_in_place_and_what_stays_silent():
    found = _summaries()
    (edit,) = found["shorten_old"].edits
    assert (edit.parameter, edit.effect) == ("messages", "edits messages in place while iterating")
    assert found["compact"].edits[0].through == ("shorten_old",)
    assert "newest_only" not in found  # the newest message only
    assert "loop_forever" not in found  # recursion gives up


def test_summaries_are_plain_data():
    found = _summaries()
    assert pickle.loads(pickle.dumps(found)) == found
    index = build_index(ast.parse(_SOURCE))
    recent = index.functions_by_name["recent"][0]
    assert summary_of(recent, index) == found["recent"]
