from domain.privacy.personal_data import keep, register, rows_of

register(
    "experiments",
    export=rows_of("""
        SELECT e.key AS experiment, x.variant, x.exposed_at
        FROM experiment_exposures x JOIN experiments e ON e.id = x.experiment_id
        WHERE x.member_id = :member_id ORDER BY x.exposed_at"""),
    erase=keep,
    policy="kept as anonymous exposures so experiment reports do not change",
)
