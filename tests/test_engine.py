"""Engine behaviour that the rule examples do not show: configured sinks, parallel runs."""

from __future__ import annotations

from ctxlint.engine import check_paths, check_source

from conftest import make_settings

WRAPPER_CALL = (
    "from datetime import datetime\nfrom myapp import llm\n"
    "def run(q):\n"
    "    return llm.ask(system=f'now {datetime.now()}', messages=q)\n"
)


def test_configured_prompt_sinks():
    assert check_source(WRAPPER_CALL, make_settings()).diagnostics == []
    settings = make_settings(
        {"prompt-sinks": [{"call": "myapp.llm.ask", "prefix": ["system"], "prompt": ["messages"]}]}
    )
    found = check_source(WRAPPER_CALL, settings).diagnostics
    assert [(d.code, d.start.line) for d in found] == [("CTX001", 4)]
    [sent] = found[0].related
    assert "the system prompt of llm.ask" in sent.message and sent.start.line == 4


def test_configured_method_sinks_match_any_receiver():
    source = WRAPPER_CALL.replace("llm.ask(system=", "self_client.complete_chat(")
    settings = make_settings({"prompt-sinks": [{"call": "*.complete_chat", "prefix": [0]}]})
    found = check_source(source, settings).diagnostics
    assert [d.code for d in found] == ["CTX001"]


def test_parallel_run_finds_what_a_serial_run_finds(tmp_path):
    flagged = "import time\ndef build_system_prompt():\n    return f'{time.time()}'\n"
    for number in range(240):
        (tmp_path / f"m{number:03}.py").write_text(flagged if number % 40 == 0 else "x = 1\n")
    settings = make_settings(root=tmp_path)
    serial = check_paths([str(tmp_path)], settings, jobs=1)
    parallel = check_paths([str(tmp_path)], settings, jobs=2)
    assert serial.files_checked == parallel.files_checked == 240
    assert [d.path for d in serial.diagnostics] == [d.path for d in parallel.diagnostics]
    assert len(parallel.diagnostics) == 6


def test_workers_are_capped_at_the_batches_and_the_cores(monkeypatch):
    # --jobs 300 on 300 files started 300 processes for 5 batches on 2 cores: 5 times slower.
    from ctxlint import parallel

    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    assert parallel.worker_count(300, batches=5) == 4
    assert parallel.worker_count(300, batches=3) == 3
    assert parallel.worker_count(2, batches=5) == 2
    assert parallel.worker_count(None, batches=5) == 2
    assert parallel.worker_count(8, batches=0) == 1
    monkeypatch.setattr(parallel, "usable_cores", lambda: 64)
    assert parallel.worker_count(None, batches=100) == 8
