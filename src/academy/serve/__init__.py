"""`academy serve`: the built site and the click-through lessons (Voilà) on one origin."""
