from slackcase.cli import main

raise SystemExit(main())
