"""Real Nova 34 (its functional-test harness) serving its API on loopback:
the contract suite and the CLIs played against it."""
