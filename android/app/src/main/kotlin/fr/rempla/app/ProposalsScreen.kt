package fr.rempla.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import fr.rempla.shared.ProposalsViewModel
import kotlinx.coroutines.delay
import java.util.concurrent.Executor

/**
 * Proposals with a live countdown ("Expire dans 2 j 3 h", red under 24 h): the view model recomputes the
 * labels every second; accepting or declining runs on [background] and syncs (the mission then shows).
 */
@Composable
fun ProposalsScreen(vm: ProposalsViewModel, background: Executor, modifier: Modifier = Modifier) {
    val state by vm.state.asState()
    LaunchedEffect(vm) {
        while (true) {
            vm.tick()
            delay(1_000)
        }
    }
    LazyColumn(modifier.padding(8.dp)) {
        items(state.items, key = { it.proposal.id }) { item ->
            val p = item.proposal
            Column(Modifier.padding(vertical = 8.dp)) {
                val request = p.request
                Text(
                    request?.let { "${it.specialty} – ${it.department}" } ?: "Proposition",
                    fontWeight = FontWeight.Bold,
                )
                p.shifts.forEach { Text("${it.kind} : ${it.start} → ${it.end}") }
                request?.remunerationCentsPerDay?.let { Text("${it / 100} € par jour") }
                Text(
                    item.label,
                    color = if (item.urgent) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface,
                )
                if (item.answerable) {
                    Row {
                        Button({ background.execute { vm.accept(p.id) } }, enabled = state.answering == null) { Text("Accepter") }
                        OutlinedButton({ background.execute { vm.decline(p.id) } }, enabled = state.answering == null) { Text("Refuser") }
                    }
                }
            }
        }
    }
    state.error?.let { Text("${it.message} [${it.code}]", color = MaterialTheme.colorScheme.error) }
}
