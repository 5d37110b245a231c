/// The step executor. Its types arrive with the executor issue (#6); the module exists now
/// so the dependency layering of the package is fixed from the start.
public enum ExecutionModule {}
