from quizdl.cli.main import main

main()
