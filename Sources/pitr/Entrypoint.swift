import PITRCommands

/// The `pitr` executable: everything else lives in `PITRCommands`, where it can be tested.
@main
struct Entrypoint {
  static func main() async {
    await PITRCommand.main()
  }
}
