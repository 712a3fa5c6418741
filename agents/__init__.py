"""Stream agents and the pure decision logic they run."""
