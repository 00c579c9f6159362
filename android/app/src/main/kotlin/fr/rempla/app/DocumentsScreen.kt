package fr.rempla.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import fr.rempla.shared.DocumentsViewModel
import java.util.concurrent.Executor

/** The document vault (uploads happen on the web account page); offline, the list kept on the phone. */
@Composable
fun DocumentsScreen(vm: DocumentsViewModel, background: Executor, modifier: Modifier = Modifier) {
    val state by vm.state.asState()
    LaunchedEffect(vm) { background.execute { vm.load() } }
    Column(modifier.padding(8.dp)) {
        state.offlineNote?.let { Text(it) }
        state.error?.let { Text("${it.message} [${it.code}]") }
        LazyColumn {
            items(state.documents, key = { it.id }) { d ->
                Column(Modifier.padding(vertical = 6.dp)) {
                    Text(d.name, fontWeight = FontWeight.Bold)
                    Text(DocumentsViewModel.kindLabel(d.kind))
                    d.expiresOn?.let { Text(if (d.expired) "Expiré le $it" else "Valable jusqu'au $it") }
                }
            }
        }
    }
}
