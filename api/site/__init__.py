"""The public demo page ("Venir vivre dans le Lot") that embeds the chat widget."""
