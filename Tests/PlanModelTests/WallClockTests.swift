import PlanModel
import Testing

@Suite struct WallClockTests {
  @Test func februaryFollowsTheGregorianLeapYears() {
    #expect(WallClock.daysIn(month: 2, year: 2024) == 29)
    #expect(WallClock.daysIn(month: 2, year: 2000) == 29)
    #expect(WallClock.daysIn(month: 2, year: 1900) == 28)
    #expect(WallClock.daysIn(month: 2, year: 2025) == 28)
    #expect(WallClock.daysIn(month: 4, year: 2025) == 30)
    #expect(WallClock.daysIn(month: 12, year: 2025) == 31)
  }

  @Test func validTimesAreRealDatesAndTimesOfDay() {
    #expect(WallClock.isValid(year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59))
    #expect(!WallClock.isValid(year: 2025, month: 2, day: 29, hour: 12, minute: 0, second: 0))
    #expect(!WallClock.isValid(year: 2025, month: 13, day: 1, hour: 12, minute: 0, second: 0))
    #expect(!WallClock.isValid(year: 2025, month: 1, day: 0, hour: 12, minute: 0, second: 0))
    #expect(!WallClock.isValid(year: 2025, month: 1, day: 1, hour: 24, minute: 0, second: 0))
    #expect(!WallClock.isValid(year: 2025, month: 1, day: 1, hour: 0, minute: 60, second: 0))
    #expect(!WallClock.isValid(year: 2025, month: 1, day: 1, hour: 0, minute: 0, second: 60))
  }

  @Test func numericOffsetsAreSecondsEastOfUTCUpToFifteenHours() {
    #expect(WallClock.utcOffset(negative: true, hours: 7, minutes: 0) == -25_200)
    #expect(WallClock.utcOffset(negative: false, hours: 5, minutes: 30) == 19_800)
    #expect(WallClock.utcOffset(negative: false, hours: 15, minutes: 59) == 57_540)
    #expect(WallClock.utcOffset(negative: false, hours: 16, minutes: 0) == nil)
    #expect(WallClock.utcOffset(negative: true, hours: 3, minutes: 60) == nil)
  }
}
