"""The notice's steps, end to end, on a simulated phone."""
