package fr.rempla.app

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.grid.GridCells
import androidx.compose.foundation.lazy.grid.LazyVerticalGrid
import androidx.compose.foundation.lazy.grid.items
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.Checkbox
import androidx.compose.material3.FilterChip
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import fr.rempla.ffi.Occurrence
import fr.rempla.ffi.ShiftKind
import fr.rempla.ffi.shiftKinds
import fr.rempla.shared.AvailabilityForm
import fr.rempla.shared.CalendarMode
import fr.rempla.shared.CalendarViewModel
import fr.rempla.shared.Repeat
import java.time.LocalDate

/** Month or week grid; tap a day to add, tap a slot to remove it or this occurrence. */
@Composable
fun CalendarScreen(vm: CalendarViewModel, modifier: Modifier = Modifier) {
    val state by vm.state.asState()
    var addOn by remember { mutableStateOf<LocalDate?>(null) }
    var selected by remember { mutableStateOf<Pair<LocalDate, Occurrence>?>(null) }

    Column(modifier.padding(8.dp)) {
        Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
            TextButton({ vm.previous() }) { Text("‹") }
            Text(state.title)
            TextButton({ vm.next() }) { Text("›") }
        }
        Row {
            FilterChip(state.mode == CalendarMode.MONTH, { vm.showMonth(java.time.YearMonth.from(state.anchor)) }, { Text("Mois") })
            FilterChip(state.mode == CalendarMode.WEEK, { vm.showWeek(state.anchor) }, { Text("Semaine") })
            if (state.pendingChanges > 0) Text("  ${state.pendingChanges} modification(s) à synchroniser")
        }
        state.error?.let { Text("${it.message} [${it.code}]") }
        LazyVerticalGrid(GridCells.Fixed(7)) {
            items(state.days) { day ->
                Column(Modifier.padding(2.dp).clickable { addOn = day.date }) {
                    Text(day.date.dayOfMonth.toString() + if (day.isToday) " •" else "")
                    day.occurrences.forEach { o ->
                        Text(
                            "${o.localStart} ${o.kind.name.lowercase()}",
                            Modifier.clickable { selected = day.date to o },
                        )
                    }
                }
            }
        }
    }

    addOn?.let { date -> AddDialog(date, onDismiss = { addOn = null }) { form -> if (vm.add(form) != null) addOn = null } }
    selected?.let { (date, o) ->
        AlertDialog(
            onDismissRequest = { selected = null },
            title = { Text("${o.localStart}–${o.localEnd}") },
            text = { Text(o.note ?: "") },
            confirmButton = {
                Button({ vm.remove(o.availabilityId); selected = null }) { Text(if (o.isSeries) "Supprimer la série" else "Supprimer") }
            },
            dismissButton = {
                if (o.isSeries) TextButton({ vm.removeOccurrence(o.availabilityId, date); selected = null }) { Text("Retirer ce jour") }
            },
        )
    }
}

/** Kind, département, weekly repetition and note; core checks everything. */
@Composable
private fun AddDialog(date: LocalDate, onDismiss: () -> Unit, onAdd: (AvailabilityForm) -> Unit) {
    var kind by remember { mutableStateOf(ShiftKind.DAY) }
    var department by remember { mutableStateOf("75") }
    var weekly by remember { mutableStateOf(false) }
    var count by remember { mutableStateOf("10") }
    var note by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text("Disponibilité le $date") },
        text = {
            Column {
                shiftKinds().filter { it.kind != ShiftKind.CUSTOM }.forEach { k ->
                    Row { FilterChip(kind == k.kind, { kind = k.kind }, { Text("${k.label} ${k.localStart}–${k.localEnd}") }) }
                }
                OutlinedTextField(department, { department = it }, label = { Text("Département") })
                Row {
                    Checkbox(weekly, { weekly = it })
                    Text("Chaque semaine, ")
                    OutlinedTextField(count, { count = it }, label = { Text("fois") })
                }
                OutlinedTextField(note, { note = it }, label = { Text("Note") })
            }
        },
        confirmButton = {
            Button({
                onAdd(
                    AvailabilityForm(
                        kind = kind, date = date, department = department,
                        repeat = if (weekly) Repeat.Weekly(setOf(date.dayOfWeek), count = count.toIntOrNull()) else Repeat.None,
                        note = note.ifBlank { null },
                    ),
                )
            }) { Text("Ajouter") }
        },
        dismissButton = { TextButton(onDismiss) { Text("Annuler") } },
    )
}
