"""Tools for the staff who keep the knowledge current: knowledge-base commands (validate, build, new
entry, watch and publish), the staff report, and answer-quality evaluation."""
