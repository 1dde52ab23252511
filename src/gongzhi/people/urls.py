from django.urls import path

from gongzhi.people import card_views, export_views, resident_account_views, transfer_views, views

app_name = "people"
urlpatterns = [
    path("residents/", views.residents, name="residents"),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="reveal"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/move/", views.resident_move_household, name="resident_move"),
    path("residents/<int:pk>/move-out/", views.resident_move_out, name="resident_move_out"),
    path("residents/<int:pk>/death/", views.resident_death, name="resident_death"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/card.pdf", card_views.household_card_pdf, name="household_card"),
    path("households/<int:household_pk>/residents/new/", views.resident_new, name="resident_new"),
    path("grids/<str:grid_code>/households/new/", views.household_new, name="household_new"),
    path("places/<str:code>/organisations/new/", views.organisation_edit, name="organisation_new"),
    path("places/<str:code>/organisations/<int:org_id>/", views.organisation_edit, name="organisation_edit"),
    path("me/", views.my_household, name="my_household"),
    # resident accounts (people.resident_accounts): self-service on a phone, the desk, the resident's home
    path("signup/", resident_account_views.signup, name="signup"),
    path("signup/code/", resident_account_views.signup_code, name="signup_code"),
    path("signup/password/", resident_account_views.signup_password, name="signup_password"),
    path("residents/<int:pk>/account/", resident_account_views.desk_open, name="resident_account"),
    path("home/", resident_account_views.resident_home, name="resident_home"),
    path("import/", transfer_views.import_page, name="import"),
    path("import/template.xlsx", transfer_views.import_template, name="import_template"),
    path("import/<int:pk>/", transfer_views.import_job, name="import_job"),
    path("import/<int:pk>/rejected.xlsx", transfer_views.import_report, name="import_report"),
    path("export/", export_views.export_residents_view, name="export"),
    path("export/<int:pk>/", export_views.export_job, name="export_job"),
    path("export/<int:pk>/file.xlsx", export_views.export_download, name="export_download"),
]
