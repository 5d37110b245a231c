/// The catalog of a backup repository. Its types arrive with the catalog issue (#3); the
/// module exists now so the dependency layering of the package is fixed from the start.
public enum CatalogModule {}
