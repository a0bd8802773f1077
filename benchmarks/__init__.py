"""`python -m benchmarks`: latency, throughput and memory, against the ideal.

The app runs as its own process (`slackcase run --http`, or `slackcase run` over Socket
Mode with `--socket-mode`) against the fake Slack in the benchmark's process and the
Kore.ai sandbox in another, with injected latencies; a load-generator process plays
Slack's sending side. Figures are printed; the exit code is non-zero if any case was lost
or duplicated.

- `cli.py`: the options, the scenarios in order, the table.
- `rig.py`: the processes (app, sandbox, fake Slack, load generator) and each scenario's
  steps.
- `load.py`: what runs in the load-generator process.
- `figures.py`: percentiles, and the CPU time the VM's host took.
"""
