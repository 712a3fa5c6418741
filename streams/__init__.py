"""Stream-processing runtime: settings, the Faust app factory, topics, CLI."""
