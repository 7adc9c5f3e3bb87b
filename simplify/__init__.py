"""Text side of yomiage: document model, segmentation, readings, glossary (no audio, no web)."""
