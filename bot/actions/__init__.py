"""Custom actions of the assistant (rasa-sdk): `rasa run actions --actions bot.actions`.

The action server imports every module of this package; importing starts nothing. What
runs beside the actions (the delivery of handoff requests saved while the API was down,
the pooled API connections) is started and stopped with the server (server.py).
"""
