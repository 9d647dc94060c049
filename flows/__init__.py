"""The organisation's processes, declared: the ärende lifecycle and the flows that route
its tasks between people."""
