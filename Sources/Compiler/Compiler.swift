/// The plan compiler. Its types arrive with the compiler issue (#5); the module exists now
/// so the dependency layering of the package is fixed from the start.
public enum CompilerModule {}
