"""The benchmark (`make bench`): the product's own set-ups under simulated patients, against Rasa's
starter bot. Apart from the product: it imports the product (bot/) to drive and check it, and
nothing from tests/. See tools/bench/main.py for what it does, in order."""
