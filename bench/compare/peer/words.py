"""The vocabulary both seeders use (peer/seed.py and ../seed_ours.py): Spanish, with accents."""

NOUNS = """contraseña facturación teléfono llamadas línea móvil tarifa cobro recibo
factura señal cobertura fibra router módem conexión velocidad instalación técnico
avería portabilidad número saldo recarga datos roaming buzón mensaje aplicación
cuenta usuario acceso sesión correo dirección domicilio contrato permanencia baja
alta titular pago tarjeta domiciliación reembolso devolución descuento promoción
oferta televisión canales decodificador mando pantalla configuración wifi clave red
corte interrupción incidencia reclamación queja cita visita envío paquete entrega
terminal garantía reparación batería cargador bloqueo PIN PUK SIM duplicado
activación llamada extensión centralita fax impresora contestador desvío
identificación verificación notificación suscripción""".split()
ADJS = """lento caído bloqueado duplicado incorrecto pendiente nuevo antiguo
internacional mensual anual urgente intermitente cancelado rechazado caducado
olvidado erróneo excesivo gratuito básico premium inalámbrico prepago""".split()
VERBS = """cambiar recuperar activar cancelar configurar pagar consultar reclamar
solicitar instalar desbloquear renovar descargar restablecer contratar devolver
actualizar verificar""".split()
CATEGORIES = [
    ("cuenta", "Cuenta y contraseña"),
    ("facturacion", "Facturación y pagos"),
    ("telefonia", "Telefonía y llamadas"),
    ("internet", "Internet y wifi"),
    ("correo", "Correo electrónico"),
    ("dispositivos", "Dispositivos"),
    ("seguridad", "Seguridad"),
    ("otros", "Otros"),
]
TITLES = [
    "Problema con {n} {a}",
    "No puedo {v} {n}",
    "Consulta sobre {n} y {n2}",
    "Error en {n}: {a}",
    "{N} {a} desde ayer",
    "Quiero {v} {n} de {n2}",
]


def text(rng, words):
    pool = NOUNS + ADJS + VERBS + "el la de con en por para y no mi".split()
    out = " ".join(rng.choice(pool) for _ in range(words))
    return out[0].upper() + out[1:] + "."


def title(rng):
    n, n2 = rng.sample(NOUNS, 2)
    t = rng.choice(TITLES).format(n=n, n2=n2, N=n.capitalize(), a=rng.choice(ADJS), v=rng.choice(VERBS))
    return t[0].upper() + t[1:]
