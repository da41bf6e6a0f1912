"""Named measures an analyst uploads beside the extracts: community engagement (My Community Voice) and victim
satisfaction, their targets, and the statistics they are read with (Wilson intervals, two-proportion tests)."""
