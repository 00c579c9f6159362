package fr.rempla.shared

import fr.rempla.ffi.OfflineCalendarInterface
import fr.rempla.ffi.Occurrence
import java.time.DayOfWeek
import java.time.LocalDate
import java.time.YearMonth
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.time.format.TextStyle
import java.time.temporal.TemporalAdjusters
import java.util.Locale

/** Month grid or one week. */
enum class CalendarMode { MONTH, WEEK }

/** One day cell: its occurrences, by start. */
data class DayCell(
    val date: LocalDate,
    val inPeriod: Boolean,
    val isToday: Boolean,
    val occurrences: List<Occurrence>,
)

/** Everything the calendar screen draws. */
data class CalendarUiState(
    val mode: CalendarMode,
    /** First day of the shown month, or Monday of the shown week. */
    val anchor: LocalDate,
    /** French title: « mars 2027 » or « semaine du 1 mars 2027 ». */
    val title: String,
    /** Whole weeks, Monday first: 28 to 42 cells for a month, 7 for a week. */
    val days: List<DayCell>,
    /** Local changes not yet sent to the server. */
    val pendingChanges: Long,
    /** The last error, shown until the next action. */
    val error: UiError? = null,
)

/**
 * The calendar screen: month and week views over the offline calendar, and the add, edit, remove and
 * remove-one-occurrence actions. Plain Kotlin (no Android imports) so the JVM tests run it against the
 * real library. Each action returns whether it succeeded; failures land in [CalendarUiState.error] with
 * core's code and French message.
 */
class CalendarViewModel(
    private val calendar: OfflineCalendarInterface,
    private val zone: ZoneId = ZoneId.of("Europe/Paris"),
    private val today: () -> LocalDate = { LocalDate.now(zone) },
) {
    private val french = Locale.FRENCH
    // java.time's toString() drops zero seconds (`T00:00+01:00`), which is not RFC 3339.
    private val rfc3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX")
    val state = Observable(load(CalendarMode.MONTH, today().withDayOfMonth(1), null))

    /** Shows the month containing [month]. */
    fun showMonth(month: YearMonth) = publish(CalendarMode.MONTH, month.atDay(1))

    /** Shows the week (Monday to Sunday) containing [day]. */
    fun showWeek(day: LocalDate) =
        publish(CalendarMode.WEEK, day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)))

    /** Next month or week. */
    fun next() = state.value.let {
        publish(it.mode, if (it.mode == CalendarMode.MONTH) it.anchor.plusMonths(1) else it.anchor.plusWeeks(1))
    }

    /** Previous month or week. */
    fun previous() = state.value.let {
        publish(it.mode, if (it.mode == CalendarMode.MONTH) it.anchor.minusMonths(1) else it.anchor.minusWeeks(1))
    }

    /** Reloads the shown period (after a sync or an event). */
    fun refresh() = publish(state.value.mode, state.value.anchor)

    /** Adds an availability; returns its id, or null with the error in the state. */
    fun add(form: AvailabilityForm): String? = act { calendar.addAvailability(form.toInput()) }

    /** Replaces an availability with the form's content. */
    fun edit(id: String, form: AvailabilityForm): Boolean = act { calendar.editAvailability(id, form.toInput()) } != null

    /** Removes a slot or a whole series. */
    fun remove(id: String): Boolean = act { calendar.removeAvailability(id) } != null

    /** Removes one occurrence of a series. */
    fun removeOccurrence(id: String, date: LocalDate): Boolean =
        act { calendar.removeOccurrence(id, date.toString()) } != null

    /** The edit form of an availability, or null with the error in the state. */
    fun editForm(id: String, department: String): AvailabilityForm? =
        act { AvailabilityForm.from(calendar.getAvailability(id), department) }

    private fun <T> act(action: () -> T): T? = try {
        action().also { refresh() }
    } catch (e: Exception) {
        state.set(state.value.copy(error = UiError.of(e)))
        null
    }

    private fun publish(mode: CalendarMode, anchor: LocalDate) {
        state.set(
            try {
                load(mode, anchor, null)
            } catch (e: Exception) {
                state.value.copy(error = UiError.of(e))
            },
        )
    }

    private fun load(mode: CalendarMode, anchor: LocalDate, error: UiError?): CalendarUiState {
        val (first, last) = when (mode) {
            CalendarMode.MONTH -> {
                val end = anchor.plusMonths(1).minusDays(1)
                anchor.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)) to
                    end.with(TemporalAdjusters.nextOrSame(DayOfWeek.SUNDAY))
            }
            CalendarMode.WEEK -> anchor to anchor.plusDays(6)
        }
        val from = rfc3339.format(first.atStartOfDay(zone))
        val to = rfc3339.format(last.plusDays(1).atStartOfDay(zone))
        val byDay = calendar.listRange(from, to).groupBy {
            java.time.OffsetDateTime.parse(it.start).atZoneSameInstant(zone).toLocalDate()
        }
        val now = today()
        val days = generateSequence(first) { it.plusDays(1) }.takeWhile { !it.isAfter(last) }.map { d ->
            DayCell(
                date = d,
                inPeriod = mode == CalendarMode.WEEK || d.month == anchor.month,
                isToday = d == now,
                occurrences = byDay[d].orEmpty(),
            )
        }.toList()
        val title = when (mode) {
            CalendarMode.MONTH -> "${anchor.month.getDisplayName(TextStyle.FULL_STANDALONE, french)} ${anchor.year}"
            CalendarMode.WEEK ->
                "semaine du ${anchor.dayOfMonth} ${anchor.month.getDisplayName(TextStyle.FULL, french)} ${anchor.year}"
        }
        return CalendarUiState(mode, anchor, title, days, calendar.pendingChanges().toLong(), error)
    }
}
