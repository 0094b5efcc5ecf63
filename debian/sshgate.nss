# After every other source: a local account always wins over a gate login.
passwd last sshgate
