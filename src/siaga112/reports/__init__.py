"""Read side: evaluation in the center's own terms, service levels, intervals, exports."""
