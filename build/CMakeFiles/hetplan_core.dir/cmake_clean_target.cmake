file(REMOVE_RECURSE
  "libhetplan_core.a"
)
