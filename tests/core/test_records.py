"""Typed records shared across packages: what a chunk's metadata says about its report."""

from __future__ import annotations

from dataclasses import replace


def test_a_report_to_a_congress_session_reviews_the_year_before():
    from core.records import ChunkMeta

    session = "2025年1月15日"
    assert ChunkMeta(doc_type="政府工作报告", year=2025).congress_report
    standing = ChunkMeta(title="某县人民代表大会常务委员会工作报告", doc_type="工作报告")
    assert replace(standing, meeting_date=session).congress_report
    assert not standing.congress_report  # not delivered at a session: a report of its own year
    audit = ChunkMeta(
        title="关于某市2024年度预算执行的审计工作报告", doc_type="工作报告", meeting_date=session
    )
    assert not audit.congress_report  # titled with the year it is about
    assert not ChunkMeta(doc_type="工作总结", meeting_date=session).congress_report
