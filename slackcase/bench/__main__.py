from slackcase.bench.cli import main

raise SystemExit(main())
