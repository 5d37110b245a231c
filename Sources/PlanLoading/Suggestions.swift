/// "Did you mean" suggestions: the closest candidate by edit distance, when it is close.
enum Suggestions {
  /// The candidate nearest to `word`, if it is within a third of the word's length (at least 1,
  /// at most 3 edits); comparison ignores case, `-` and `_` differences.
  static func closest(to word: String, among candidates: [String]) -> String? {
    let normalizedWord = normalize(word)
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
      let distance = editDistance(normalizedWord, normalize(candidate))
      if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
    }
    guard let best else { return nil }
    let allowed = min(3, max(1, word.count / 3))
    return best.distance <= allowed ? best.candidate : nil
  }

  private static func normalize(_ text: String) -> [Character] {
    text.lowercased().map { $0 == "-" ? "_" : $0 }
  }

  /// Edit distance counting insertions, deletions, substitutions and swaps of neighbours
  /// (optimal string alignment), so `prot` is one edit from `port`.
  static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
        }
      }
    }
    return table[a.count][b.count]
  }
}
