"""Custom actions of the assistant (rasa-sdk): `rasa run actions --actions bot.actions`.

The action server imports every module of this package. Importing it also starts the
background delivery of handoff requests saved while the API was down (see outbox.py);
set ACTIONS_OUTBOX_WORKER=false to keep it off (unit tests do). The server's pooled
connections to the API are closed when it stops (api_client.py).
"""

from bot.actions.api_client import close_pools_with_the_action_server
from bot.actions.outbox import start_background_delivery

start_background_delivery()
close_pools_with_the_action_server()
