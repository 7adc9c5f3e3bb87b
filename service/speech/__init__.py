"""What is said and how it sounds: engines, voices, utterances, the audio chain, captions."""
