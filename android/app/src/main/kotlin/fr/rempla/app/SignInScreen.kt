package fr.rempla.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import fr.rempla.shared.SessionViewModel
import java.util.concurrent.Executor

/**
 * Sign-in (and the terms dialog when the server asks for them). The calls block, so they run on
 * [background]; the state comes back through the view model's Observable. Sign-up is the same form with
 * RPPS and names, calling `vm.signUp` (then "check your e-mail"; the activation link opens the app).
 */
@Composable
fun SignInScreen(vm: SessionViewModel, background: Executor, modifier: Modifier = Modifier) {
    val state by vm.state.asState()
    var email by remember { mutableStateOf("") }
    var password by remember { mutableStateOf("") }
    Column(modifier.padding(16.dp).verticalScroll(rememberScrollState())) {
        Text("Connexion à Rempla")
        OutlinedTextField(email, { email = it }, label = { Text("E-mail") })
        OutlinedTextField(
            password, { password = it }, label = { Text("Mot de passe") },
            visualTransformation = PasswordVisualTransformation(),
        )
        Button({ background.execute { vm.signIn(email, password) } }, enabled = !state.busy) { Text("Se connecter") }
        state.error?.let { Text("${it.message} [${it.code}]") }
    }
    state.termsToAccept?.let { terms ->
        AlertDialog(
            onDismissRequest = {},
            title = { Text("Conditions générales (version ${terms.version})") },
            text = { Text(terms.text, Modifier.verticalScroll(rememberScrollState())) },
            confirmButton = {
                TextButton({ background.execute { vm.signIn(email, password, acceptTerms = true) } }) { Text("J'accepte") }
            },
        )
    }
}
