from bellwork.cli import main

main()
