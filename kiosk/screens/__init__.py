"""The kiosk's screens: thin Kivy views over the app's state."""

from .admin import AdminScreen
from .appointment import AppointmentScreen
from .attract import AttractScreen
from .card import CardScreen
from .confirm import ConfirmScreen
from .guide import GuideScreen
from .home import HomeScreen
from .maintenance import MaintenanceScreen
from .phone import PhoneScreen
from .search import SearchScreen
from .services import ServicesScreen
from .status import StatusScreen
from .ticket import TicketScreen

SCREENS = (
    MaintenanceScreen,
    AttractScreen,
    HomeScreen,
    ServicesScreen,
    SearchScreen,
    ConfirmScreen,
    CardScreen,
    TicketScreen,
    PhoneScreen,
    GuideScreen,
    StatusScreen,
    AppointmentScreen,
    AdminScreen,
)

__all__ = ["SCREENS"]
