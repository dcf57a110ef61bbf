"""Messages of the compute backends (fit(backend="jax")), in English and Spanish."""

MESSAGES = {
    "backends.jax_start": {
        "en": "Training with JAX on {devices}, in {dtype}",
        "es": "Entrenamiento con JAX en {devices}, en {dtype}",
    },
    "backends.process_lost": {
        "en": (
            "fit(backend='jax'): process {me} of {count} lost its connection to the others in epoch {epoch}, batch "
            "{batch}: {lost}. The processes still running stop here as well. {resume} To find out sooner that a "
            "process stopped, pass heartbeat_timeout_seconds= to jax.distributed.initialize. (JAX said: {detail})"
        ),
        "es": (
            "fit(backend='jax'): el proceso {me} de {count} perdió la conexión con los demás en la época {epoch}, "
            "lote {batch}: {lost}. Los procesos que siguen en marcha se detienen también. {resume} Para saber antes "
            "que un proceso se detuvo, pasa heartbeat_timeout_seconds= a jax.distributed.initialize. (JAX dijo: "
            "{detail})"
        ),
    },
    "backends.process_lost_which": {
        "en": "process {lost} stopped (it no longer answers JAX's coordinator)",
        "es": "el proceso {lost} se detuvo (ya no responde al coordinador de JAX)",
    },
    "backends.process_lost_unknown": {
        "en": "another process stopped or cannot be reached",
        "es": "otro proceso se detuvo o no se puede alcanzar",
    },
    "backends.resume_from": {
        "en": "Start all {count} processes again with fit(..., resume_from={path!r}) to go on from the last checkpoint.",
        "es": (
            "Vuelve a lanzar los {count} procesos con fit(..., resume_from={path!r}) para seguir desde el último "
            "punto de control."
        ),
    },
    "backends.resume_none": {
        "en": (
            "No checkpoint was written: start all {count} processes again (add ModelCheckpoint(..., save_freq=N) "
            "or BackupAndRestore to be able to go on from where a run stopped)."
        ),
        "es": (
            "No se escribió ningún punto de control: vuelve a lanzar los {count} procesos (añade "
            "ModelCheckpoint(..., save_freq=N) o BackupAndRestore para poder seguir desde donde se detuvo)."
        ),
    },
}
