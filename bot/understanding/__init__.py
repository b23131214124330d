"""Reading a buyer's message: language, intent, emotion and entities, from models trained on data/."""
