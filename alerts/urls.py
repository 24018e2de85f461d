from django.urls import path

from alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.DestinationListView.as_view(), name="destination-list"),
    path("<int:pk>/", views.DestinationDetailView.as_view(), name="destination-detail"),
    path("<int:pk>/test/", views.DestinationTestView.as_view(), name="destination-test"),
    path("<int:pk>/delete/", views.DestinationDeleteView.as_view(), name="destination-delete"),
]
