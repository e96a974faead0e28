"""The leaderboard pipeline: public benchmark leaderboards -> `benchmark_scores`.

    sources/<leaderboard>.py   fetch (URL, local file or the LLM_INTEL_BENCHMARKS_DIR mirror)
                               and map one leaderboard's payload to `ScoreRow`s (pure)
    rows.py                    ScoreRow, the benchmarks' chance/ceiling/scale, row checks
    names.py                   leaderboard names -> catalog models (identity's keys plus
                               dates, word order and parenthesised settings)
    writer.py                  one set-based, idempotent write per run, names matched
                               against the catalog read in the same transaction

The run machinery (recorded runs, retries, size guard, sync lock) is the catalog's
(`llm_intelligence.collectors.runner`); leaderboards are registry sources of kind
`benchmarks` (`llm_intelligence.sources`).
"""
