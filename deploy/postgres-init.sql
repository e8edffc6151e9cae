-- Rasa's SQL tracker store lives in its own database (TRACKER_STORE_URL); the API's is
-- POSTGRES_DB (DATABASE_URL). Run once by the postgres image on an empty data volume.
CREATE DATABASE lot_rasa;
